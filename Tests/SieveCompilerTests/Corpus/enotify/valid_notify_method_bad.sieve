require "enotify";
if valid_notify_method "mailto:not an address" { keep; }
