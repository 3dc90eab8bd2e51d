require "envelope";
envelope "from" "a";
