require "enotify";
if false { notify "xmpp:x"; }
