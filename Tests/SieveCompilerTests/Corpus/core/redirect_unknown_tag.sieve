redirect :foo "a@example.com";
