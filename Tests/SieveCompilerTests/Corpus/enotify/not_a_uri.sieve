require "enotify";
notify "alice@example.com";
