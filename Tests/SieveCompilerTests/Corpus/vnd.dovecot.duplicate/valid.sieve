require "vnd.dovecot.duplicate";
if duplicate :handle "x" { discard; }
