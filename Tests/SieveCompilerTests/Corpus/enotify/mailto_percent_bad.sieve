require "enotify";
notify "mailto:a%zz@example.com";
