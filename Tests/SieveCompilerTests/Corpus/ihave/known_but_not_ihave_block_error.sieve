require "ihave";
if ihave "fileinto" { fileinto 1; }
