require "ihave";
if ihave "vnd.dovecot.duplicate" { frobnicate; }
