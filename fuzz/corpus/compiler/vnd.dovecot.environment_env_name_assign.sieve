require ["variables", "vnd.dovecot.environment"];
set "env.domain" "x";
