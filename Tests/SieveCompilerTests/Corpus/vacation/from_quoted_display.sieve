require "vacation";
vacation :from "\"Me Myself\" <me@example.com>" "away";
