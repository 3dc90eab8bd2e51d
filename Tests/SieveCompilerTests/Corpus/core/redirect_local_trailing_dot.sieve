redirect "a.@example.com";
