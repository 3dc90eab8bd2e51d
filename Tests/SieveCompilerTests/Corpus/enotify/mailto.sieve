require "enotify";
notify "mailto:alice@example.com";
