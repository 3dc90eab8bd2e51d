require "enotify";
notify :importance "0" "mailto:a@example.com";
