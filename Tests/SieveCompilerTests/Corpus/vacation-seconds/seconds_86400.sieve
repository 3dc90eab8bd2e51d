require "vacation-seconds";
vacation :seconds 86400 "away";
