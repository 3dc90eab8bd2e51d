# corpus-extensions: default
require "spamtest";
if spamtest "10" { discard; }
