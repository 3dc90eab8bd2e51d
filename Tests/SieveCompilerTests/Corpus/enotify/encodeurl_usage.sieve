require ["enotify", "variables"];
set :encodeurl "s" "a b&c";
notify "mailto:a@example.com?subject=${s}";
