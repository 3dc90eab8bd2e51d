require "vnd.dovecot.filter";
if filter "spamc" { keep; }
