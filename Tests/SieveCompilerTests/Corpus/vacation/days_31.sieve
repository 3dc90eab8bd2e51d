require "vacation";
vacation :days 31 "away";
