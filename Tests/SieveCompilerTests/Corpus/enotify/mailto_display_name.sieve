require "enotify";
notify "mailto:John%20Doe%20%3Ca@example.com%3E";
