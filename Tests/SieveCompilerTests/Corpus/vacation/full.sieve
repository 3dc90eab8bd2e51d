require "vacation";
vacation :days 7 :subject "Away" :from "me@example.com" :addresses ["me@example.com", "alias@example.com"] :mime :handle "h1" "Content-Type: text/plain\r\n\r\nAway";
