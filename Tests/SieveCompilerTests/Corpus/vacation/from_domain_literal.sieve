require "vacation";
vacation :from "me@[10.0.0.1]" "away";
