redirect "\"a\\\"b\"@example.com";
