require "vacation";
vacation :days 1 "away";
