require "ihave";
if ihave "vnd.dovecot.pipe" { frobnicate; }
