require ["enotify", "variables"];
set "m" "xmpp:bob@example.com";
notify "${m}";
