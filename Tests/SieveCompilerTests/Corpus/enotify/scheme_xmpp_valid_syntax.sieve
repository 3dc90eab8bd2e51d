require "enotify";
notify "xmpp:romeo@example.net";
