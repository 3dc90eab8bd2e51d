# corpus-extensions: default
require "vacation-seconds";
vacation :seconds 86400 "x";
