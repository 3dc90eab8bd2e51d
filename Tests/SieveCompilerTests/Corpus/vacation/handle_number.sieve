require "vacation";
vacation :handle 1 "away";
