require "vacation-seconds";
vacation :seconds 99999999999 "away";
