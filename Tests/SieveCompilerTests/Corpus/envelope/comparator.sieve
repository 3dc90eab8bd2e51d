require "envelope";
if envelope :comparator "i;octet" :all :is "from" "A@B" { keep; }
