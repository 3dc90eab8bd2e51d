require "enotify";
notify "mailto:a@example.com?cc=bad%20address";
