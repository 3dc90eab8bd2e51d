require "vacation";
vacation :days "away";
