require "fileinto";
if fileinto "x" { keep; }
