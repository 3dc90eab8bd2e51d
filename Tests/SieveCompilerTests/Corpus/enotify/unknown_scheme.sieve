require "enotify";
notify "xmpp:alice@example.com";
