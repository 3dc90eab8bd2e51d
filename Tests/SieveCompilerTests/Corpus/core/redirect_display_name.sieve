redirect "John Doe <john@example.com>";
