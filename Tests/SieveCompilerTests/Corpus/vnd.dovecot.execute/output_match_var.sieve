require ["vnd.dovecot.execute", "variables"];
execute :output "1" "x";
