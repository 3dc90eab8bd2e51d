require "ihave";
if ihave "vnd.dovecot.execute" { frobnicate; }
