require "spamtest";
if spamtest :matches "1*" { discard; }
