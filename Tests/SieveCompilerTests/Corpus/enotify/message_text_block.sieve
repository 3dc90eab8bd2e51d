require "enotify";
notify :message text:
You have new mail.
.
"mailto:a@example.com";
