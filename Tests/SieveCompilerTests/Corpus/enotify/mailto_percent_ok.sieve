require "enotify";
notify "mailto:a%40b@example.com";
