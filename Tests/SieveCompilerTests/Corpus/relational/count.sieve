require "relational";
if header :count "ge" "received" "10" { discard; }
