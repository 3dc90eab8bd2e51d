require "vacation";
vacation :days 100000 :from "bob@example.com" "Away for a long time.";
