require "fileinto";
fileinto :create "a";
