require "enotify";
notify "mailto:a@example.com?bcc=b@example.com";
