require ["variables", "vnd.dovecot.environment"];
set "a" "${env.domain}";
