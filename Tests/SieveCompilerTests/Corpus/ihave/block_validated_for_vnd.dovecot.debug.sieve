require "ihave";
if ihave "vnd.dovecot.debug" { frobnicate; }
