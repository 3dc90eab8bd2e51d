require "enotify";
notify "mailto:a@example.com?subject=%00";
