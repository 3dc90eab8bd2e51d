require "vnd.dovecot.duplicate";
if duplicate :header "x" :value "y" { discard; }
