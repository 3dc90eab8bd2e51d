# corpus-extensions: default
require "imapsieve";
keep;
