require "ihave";
if ihave "vnd.dovecot.filter" { frobnicate; }
