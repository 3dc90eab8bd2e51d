require "enotify";
notify "mailto:a@example.com?to=b@example.com";
