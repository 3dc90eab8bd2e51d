redirect "user@[192.0.2.1]";
