# corpus-extensions: -fileinto
require "fileinto";
fileinto "x";
