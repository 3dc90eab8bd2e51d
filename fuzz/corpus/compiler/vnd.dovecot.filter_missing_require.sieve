filter "x";
