require "ihave";
if ihave "servermetadata" { frobnicate; }
