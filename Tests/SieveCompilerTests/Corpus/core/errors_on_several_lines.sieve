keep "a";
discard "b";
stop "c";
redirect "d";
