require "variables";
set "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcde" "x";
