require "enotify";
notify "mailto:?to=a@example.com";
