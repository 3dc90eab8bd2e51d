require "ihave";
if ihave "fileinto" { keep; }
fileinto "x";
