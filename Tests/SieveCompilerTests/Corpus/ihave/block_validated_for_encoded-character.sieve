require "ihave";
if ihave "encoded-character" { frobnicate; }
