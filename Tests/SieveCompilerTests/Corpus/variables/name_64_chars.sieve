require "variables";
set "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd" "x";
