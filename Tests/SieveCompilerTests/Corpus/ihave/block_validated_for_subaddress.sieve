require "ihave";
if ihave "subaddress" { frobnicate; }
