redirect "a@.example.com";
