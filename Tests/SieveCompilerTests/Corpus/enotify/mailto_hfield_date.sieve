require "enotify";
notify "mailto:a@example.com?date=x";
