require "vnd.dovecot.filter";
filter "spamc";
