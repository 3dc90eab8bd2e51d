require "enotify";
if notify_method_capability "mailto:a@example.com" "online" ["yes", "maybe"] { keep; }
