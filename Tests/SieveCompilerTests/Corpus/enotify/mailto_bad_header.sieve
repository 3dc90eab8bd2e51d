require "enotify";
notify "mailto:a@example.com?bad header=x";
