require "fileinto";
fileinto :copy "a";
