redirect "jörg@example.com";
