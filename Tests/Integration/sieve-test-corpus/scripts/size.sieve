require "fileinto";
if size :over 1K { fileinto "big"; }
if size :under 300 { fileinto "small"; }
