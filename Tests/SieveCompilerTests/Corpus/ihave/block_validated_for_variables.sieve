require "ihave";
if ihave "variables" { frobnicate; }
