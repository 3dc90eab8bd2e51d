require "fileinto";
fileinto "${folder}";
