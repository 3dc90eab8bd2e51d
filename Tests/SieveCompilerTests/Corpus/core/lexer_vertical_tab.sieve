keep;
stop;
