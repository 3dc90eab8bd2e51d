require "vacation";
vacation :days 91 "away";
