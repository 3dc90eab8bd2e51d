require "vacation";
vacation :days 90 "away";
