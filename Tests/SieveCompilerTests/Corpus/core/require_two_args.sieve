require "fileinto" "reject";
