redirect "John <a@example.com";
