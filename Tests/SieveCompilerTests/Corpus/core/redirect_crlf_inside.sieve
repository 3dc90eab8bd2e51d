redirect "a@example.com
";
