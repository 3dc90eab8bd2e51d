redirect "<a@example.com>";
