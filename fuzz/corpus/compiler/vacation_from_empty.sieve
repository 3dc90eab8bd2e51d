require "vacation";
vacation :from "" "away";
