require "ihave";
if ihave "mime" { frobnicate; }
