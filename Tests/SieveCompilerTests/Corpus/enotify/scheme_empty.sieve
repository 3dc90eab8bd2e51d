require "enotify";
notify ":a@example.com";
