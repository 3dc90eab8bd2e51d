redirect "undisclosed: a@example.com;";
