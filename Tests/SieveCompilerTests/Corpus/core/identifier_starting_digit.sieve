1keep;
