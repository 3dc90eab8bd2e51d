require "vacation";
if not header :contains "precedence" "bulk" { vacation "Out of office."; }
