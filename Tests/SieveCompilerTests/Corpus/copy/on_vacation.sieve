require ["copy", "vacation"];
vacation :copy "x";
