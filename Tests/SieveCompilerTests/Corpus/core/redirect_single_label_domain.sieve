redirect "a@localhost";
