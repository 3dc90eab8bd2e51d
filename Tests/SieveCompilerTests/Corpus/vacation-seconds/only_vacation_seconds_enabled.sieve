# corpus-extensions: +vacation-seconds
require "vacation-seconds";
vacation :seconds 86400 "x";
