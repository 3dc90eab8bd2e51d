redirect "a@b.c.";
