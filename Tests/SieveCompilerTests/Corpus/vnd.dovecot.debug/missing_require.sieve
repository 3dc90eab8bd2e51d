debug_log "hello";
