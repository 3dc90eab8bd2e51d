# corpus-extensions: default
require "variables";
set "a" "b";
