require "enotify";
notify "mailto:a@example.com?subject=%C3%A9";
