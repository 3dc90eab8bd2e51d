require "vacation";
vacation :days 2 "away";
