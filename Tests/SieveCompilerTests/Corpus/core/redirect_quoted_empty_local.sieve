redirect "\"\"@example.com";
