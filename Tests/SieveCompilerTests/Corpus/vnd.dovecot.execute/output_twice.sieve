require ["vnd.dovecot.execute", "variables"];
execute :output "a" :output "b" "x";
