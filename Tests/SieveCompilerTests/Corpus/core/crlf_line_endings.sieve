keep;
stop;
