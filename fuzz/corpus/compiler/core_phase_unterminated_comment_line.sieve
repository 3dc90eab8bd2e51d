keep;
/* open
more
