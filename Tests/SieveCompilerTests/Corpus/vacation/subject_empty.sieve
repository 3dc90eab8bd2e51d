require "vacation";
vacation :subject "" "away";
