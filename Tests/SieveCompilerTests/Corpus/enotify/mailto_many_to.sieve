require "enotify";
notify "mailto:a@example.com?to=b@example.com&to=c@example.com";
