require "enotify";
notify "mailto:a@example.com%2Cb@example.com";
