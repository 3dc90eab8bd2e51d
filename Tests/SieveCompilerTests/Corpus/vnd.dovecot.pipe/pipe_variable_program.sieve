require ["vnd.dovecot.pipe", "variables"];
set "p" "../x";
pipe "${p}";
