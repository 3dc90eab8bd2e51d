require "vacation";
vacation :from "me" "away";
