require ["include"];
include :personal "lib_a";
include :personal "lib_b";
