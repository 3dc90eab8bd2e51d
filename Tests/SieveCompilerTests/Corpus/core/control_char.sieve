keep;

