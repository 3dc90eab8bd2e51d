require "subaddress";
if header :detail "to" "x" { keep; }
