require "enotify";
notify "ma1lto:a@example.com";
