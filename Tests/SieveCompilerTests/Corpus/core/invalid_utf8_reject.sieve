require "reject";
reject "café";
