redirect " a@example.com ";
