# corpus-extensions: default
require ["environment", "vnd.dovecot.environment"];
keep;
