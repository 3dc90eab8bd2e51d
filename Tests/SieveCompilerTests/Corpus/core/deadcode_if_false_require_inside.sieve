if false { require "fileinto"; }
