require ["vnd.dovecot.debug", "variables"];
set "x" "y";
debug_log "x = ${x}";
