require "enotify";
notify "";
