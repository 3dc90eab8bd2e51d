require "fileinto";
discard;
keep;
