require "enotify";
notify "mailto:a@example.com?Subject=Hi";
