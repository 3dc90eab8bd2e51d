require "enotify";
notify "mailto:a%20b@example.com";
