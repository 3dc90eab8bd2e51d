redirect "a@example..com";
