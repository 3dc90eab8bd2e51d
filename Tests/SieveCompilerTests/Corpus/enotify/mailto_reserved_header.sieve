require "enotify";
notify "mailto:a@example.com?from=evil@example.com";
