require "vacation-seconds";
vacation :seconds 86399 "away";
