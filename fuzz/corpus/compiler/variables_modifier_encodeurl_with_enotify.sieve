require ["variables", "enotify"];
set :encodeurl "a" "b c";
