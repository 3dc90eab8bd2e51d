mark;
