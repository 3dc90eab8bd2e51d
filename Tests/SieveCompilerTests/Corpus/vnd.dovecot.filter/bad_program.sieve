require "vnd.dovecot.filter";
filter "a/b";
