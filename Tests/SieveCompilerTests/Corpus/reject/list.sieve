require "reject";
reject ["a"];
