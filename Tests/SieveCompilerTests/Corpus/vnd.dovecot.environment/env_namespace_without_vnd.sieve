require ["variables", "environment"];
set "a" "${env.domain}";
