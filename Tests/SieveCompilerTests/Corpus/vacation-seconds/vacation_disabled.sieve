# corpus-extensions: -vacation +vacation-seconds
require "vacation-seconds";
vacation :seconds 86400 "x";
