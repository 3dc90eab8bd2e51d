redirect "a!#$%&'*+/=?^_`{|}~-@example.com";
