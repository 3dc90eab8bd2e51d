require "enotify";
notify :from "not an address" "mailto:a@example.com";
