redirect "USER@EXAMPLE.COM";
