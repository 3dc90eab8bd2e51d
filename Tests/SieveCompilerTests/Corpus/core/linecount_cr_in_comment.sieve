/* a
b */keep "x";
