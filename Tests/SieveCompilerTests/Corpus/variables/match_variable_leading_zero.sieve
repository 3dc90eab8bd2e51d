require "variables";
set "a" "${01}";
