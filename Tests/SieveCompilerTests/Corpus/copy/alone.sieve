require "copy";
keep;
