require "fileinto";
fileinto :frob "a";
