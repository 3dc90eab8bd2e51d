require "vacation-seconds";
vacation :seconds 3600 :from "bob@example.com" "Back in an hour.";
