redirect "a@example.com x";
