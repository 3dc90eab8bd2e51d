# corpus-extensions: default
require "fileinto";
fileinto "x";
