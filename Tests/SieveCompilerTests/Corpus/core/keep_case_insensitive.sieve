KEEP;
Stop;
