require "ihave";
if ihave "vnd.dovecot.environment" { frobnicate; }
