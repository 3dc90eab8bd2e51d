require "fileinto";
fileinto "a\\0b";
