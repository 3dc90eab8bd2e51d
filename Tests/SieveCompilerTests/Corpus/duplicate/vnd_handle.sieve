require "vnd.dovecot.duplicate";
if duplicate :handle "x" :value "y" { discard; }
