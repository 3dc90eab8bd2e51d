keep
discard
stop
