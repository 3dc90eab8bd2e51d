require "variables";
set "foo.bar" "c";
