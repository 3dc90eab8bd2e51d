require "ihave";
if ihave "virustest" { frobnicate; }
