require "ihave";
if ihave "fileinto" { frobnicate; }
