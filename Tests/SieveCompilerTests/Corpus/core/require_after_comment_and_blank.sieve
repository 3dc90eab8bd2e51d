# header comment

/* block */
require "fileinto";
fileinto "a";
