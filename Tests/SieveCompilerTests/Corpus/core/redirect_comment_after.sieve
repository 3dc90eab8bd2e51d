redirect "a@example.com (John)";
