redirect "\"Doe, John\" <j@example.com>";
