require "enotify";
notify "mailto:a@example.com?cc=b@example.com&subject=hello";
