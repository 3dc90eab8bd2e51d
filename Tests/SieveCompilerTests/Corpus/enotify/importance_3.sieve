require "enotify";
notify :importance "3" "mailto:a@example.com";
