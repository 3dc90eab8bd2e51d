require "date";
if currentdate :zone "-0000" "zone" "-0000" { keep; }
