redirect "user(comment)@example.com";
