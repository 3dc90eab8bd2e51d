require ["vnd.dovecot.execute", "variables"];
execute :output "result" "lookup" ["x"];
