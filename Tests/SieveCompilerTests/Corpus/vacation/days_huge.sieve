require "vacation";
vacation :days 100000 "away";
