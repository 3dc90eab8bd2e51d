require "vacation";
vacation :from "<me@example.com>" "away";
