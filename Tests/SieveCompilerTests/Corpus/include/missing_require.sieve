include "lib_a";
