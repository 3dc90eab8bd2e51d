require "vacation-seconds";
vacation :seconds 5 :subject "Away" "Back soon.";
