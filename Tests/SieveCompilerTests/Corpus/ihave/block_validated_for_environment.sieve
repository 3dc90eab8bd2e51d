require "ihave";
if ihave "environment" { frobnicate; }
