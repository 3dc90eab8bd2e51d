require "vnd.dovecot.execute";
execute "notify-user";
