require "ihave";
if ihave "foreverypart" { frobnicate; }
