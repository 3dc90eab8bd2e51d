redirect "Someone@Example.COM";
redirect "someone@example.com";
