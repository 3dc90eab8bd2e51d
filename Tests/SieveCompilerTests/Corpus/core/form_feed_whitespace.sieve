keep;

stop;
