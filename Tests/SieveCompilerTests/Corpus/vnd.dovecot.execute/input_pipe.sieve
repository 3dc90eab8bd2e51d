require "vnd.dovecot.execute";
execute :input "data" :pipe "x";
