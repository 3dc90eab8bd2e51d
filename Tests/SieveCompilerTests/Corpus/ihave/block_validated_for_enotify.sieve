require "ihave";
if ihave "enotify" { frobnicate; }
