require "vnd.dovecot.execute";
execute :pipe "x";
