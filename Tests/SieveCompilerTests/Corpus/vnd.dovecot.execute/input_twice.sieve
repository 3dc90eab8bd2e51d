require "vnd.dovecot.execute";
execute :input "a" :input "b" "x";
