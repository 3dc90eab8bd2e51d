require "enotify";
if notify_method_capability "mailto:a@example.com" "frob" "yes" { keep; }
