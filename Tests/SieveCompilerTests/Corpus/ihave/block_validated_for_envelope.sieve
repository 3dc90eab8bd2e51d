require "ihave";
if ihave "envelope" { frobnicate; }
