require "vacation-seconds";
vacation :seconds 7776001 "away";
