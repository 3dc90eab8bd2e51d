require "ihave";
if ihave "frobnicate" { frobnicate; }
