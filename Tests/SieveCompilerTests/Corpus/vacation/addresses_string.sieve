require "vacation";
vacation :addresses "me@example.com" "away";
