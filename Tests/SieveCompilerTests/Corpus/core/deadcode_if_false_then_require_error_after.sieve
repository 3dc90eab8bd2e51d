if false { keep; }
require "fileinto";
