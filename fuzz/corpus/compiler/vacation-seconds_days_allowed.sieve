require "vacation-seconds";
vacation :days 2 "away";
