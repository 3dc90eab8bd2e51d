require "ihave";
if ihave "editheader" { frobnicate; }
