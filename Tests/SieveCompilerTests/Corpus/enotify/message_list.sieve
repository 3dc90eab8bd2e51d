require "enotify";
notify :message ["a"] "mailto:a@example.com";
