require "vnd.dovecot.execute";
execute :output "result" "lookup";
