require "ihave";
if ihave "vnd.dovecot.report" { frobnicate; }
