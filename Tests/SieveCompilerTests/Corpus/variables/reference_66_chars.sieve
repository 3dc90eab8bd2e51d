require "variables";
set "a" "${abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdef}";
