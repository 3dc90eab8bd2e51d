redirect "<@route:a@example.com>";
