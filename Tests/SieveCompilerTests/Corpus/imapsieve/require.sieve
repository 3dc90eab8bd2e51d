require "imapsieve";
keep;
