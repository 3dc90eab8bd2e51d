require ["include", "variables"];
set "n" "lib_a";
include "${n}";
