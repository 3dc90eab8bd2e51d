redirect "café@example.com";
