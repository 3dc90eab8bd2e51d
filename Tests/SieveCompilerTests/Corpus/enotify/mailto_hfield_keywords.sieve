require "enotify";
notify "mailto:a@example.com?keywords=x&comments=y";
