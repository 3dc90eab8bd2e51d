require "envelope";
if envelope :domain :matches "from" "*.example.com" { keep; }
