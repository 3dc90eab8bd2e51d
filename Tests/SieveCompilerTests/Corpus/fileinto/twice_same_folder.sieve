require "fileinto";
fileinto "a";
fileinto "a";
