require "enotify";
notify "mailto";
