require "enotify";
if valid_notify_method "mailto:a@example.com" { keep; }
