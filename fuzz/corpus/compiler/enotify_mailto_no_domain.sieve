require "enotify";
notify "mailto:a";
