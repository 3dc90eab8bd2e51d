keep
stop;
