require "vacation";
vacation "a" "b";
