require ["enotify", "variables"];
set "to" "not an address";
notify "mailto:${to}";
