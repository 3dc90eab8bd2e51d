require "ihave";
if ihave "spamtest" { frobnicate; }
