require "vacation";
vacation :mime :mime "away";
