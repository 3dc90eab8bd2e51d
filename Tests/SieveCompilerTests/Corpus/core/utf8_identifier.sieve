keep;
é;
