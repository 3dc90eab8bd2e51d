require "vnd.dovecot.execute";
if execute "check" { keep; }
