:is;
