require "enotify";
notify :importance "" "mailto:a@example.com";
