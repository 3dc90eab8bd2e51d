require "ihave";
if ihave "notify" { frobnicate; }
