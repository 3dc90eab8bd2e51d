require "enotify";
notify "mailto:a@example.com?body=hello%20there";
