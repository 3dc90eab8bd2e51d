execute "x";
