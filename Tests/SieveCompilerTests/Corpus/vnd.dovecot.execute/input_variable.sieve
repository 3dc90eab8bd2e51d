require ["vnd.dovecot.execute", "variables"];
set "i" "data";
execute :input "${i}" "x";
