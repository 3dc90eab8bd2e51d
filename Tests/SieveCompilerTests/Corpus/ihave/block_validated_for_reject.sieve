require "ihave";
if ihave "reject" { frobnicate; }
