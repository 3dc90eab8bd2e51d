redirect "a	@example.com";
