keep;stop;
