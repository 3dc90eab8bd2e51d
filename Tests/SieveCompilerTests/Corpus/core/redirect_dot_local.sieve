redirect ".a@example.com";
