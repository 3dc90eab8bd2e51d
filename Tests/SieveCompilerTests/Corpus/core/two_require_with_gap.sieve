require "fileinto";
# comment between
require "reject";
fileinto "a";
reject "b";
