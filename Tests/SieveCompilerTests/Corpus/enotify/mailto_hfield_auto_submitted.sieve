require "enotify";
notify "mailto:a@example.com?auto-submitted=no";
