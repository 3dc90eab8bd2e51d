if true { keep; }
require "fileinto";
