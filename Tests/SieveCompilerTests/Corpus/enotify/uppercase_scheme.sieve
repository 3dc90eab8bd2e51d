require "enotify";
notify "MAILTO:a@example.com";
