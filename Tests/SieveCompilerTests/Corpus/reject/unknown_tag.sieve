require "reject";
reject :copy "x";
