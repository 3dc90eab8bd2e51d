error "x";
