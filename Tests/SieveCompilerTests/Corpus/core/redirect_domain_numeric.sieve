redirect "a@123.456";
