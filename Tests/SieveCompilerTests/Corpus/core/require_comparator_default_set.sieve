# corpus-extensions: default
require ["comparator-i;octet", "comparator-i;ascii-casemap"];
keep;
