require "vnd.dovecot.execute";
execute "..";
