require "vacation";
vacation :addresses ["not an address", "@@"] "away";
