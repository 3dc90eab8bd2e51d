require "ihave";
if ihave "relational" { frobnicate; }
