require "spamtest";
if spamtest "header" "5" { discard; }
