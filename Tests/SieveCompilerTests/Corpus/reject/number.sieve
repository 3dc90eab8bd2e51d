require "reject";
reject 1;
