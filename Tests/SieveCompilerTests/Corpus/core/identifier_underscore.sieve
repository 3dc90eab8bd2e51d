_keep;
