require ["vnd.dovecot.execute", "variables"];
execute :output "a-b" "x";
