redirect "a@-example.com";
