require "enotify";
notify :importance "high" "mailto:a@example.com";
