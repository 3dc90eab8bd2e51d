require "vacation";
vacation :mime "x" "away";
