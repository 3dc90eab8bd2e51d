redirect "user@example.com";
