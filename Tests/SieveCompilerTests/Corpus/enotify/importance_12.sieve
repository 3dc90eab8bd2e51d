require "enotify";
notify :importance "12" "mailto:a@example.com";
