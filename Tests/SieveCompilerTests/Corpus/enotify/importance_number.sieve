require "enotify";
notify :importance 1 "mailto:a@example.com";
