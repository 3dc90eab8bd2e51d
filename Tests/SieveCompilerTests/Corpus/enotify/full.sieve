require "enotify";
notify :from "me@example.com" :importance "1" :options ["o=1"] :message "You got mail" "mailto:alice@example.com?subject=hi";
