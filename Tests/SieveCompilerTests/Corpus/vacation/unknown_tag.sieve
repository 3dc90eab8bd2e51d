require "vacation";
vacation :frob "away";
