require "ihave";
if ihave "vnd.dovecot.imapsieve" { frobnicate; }
