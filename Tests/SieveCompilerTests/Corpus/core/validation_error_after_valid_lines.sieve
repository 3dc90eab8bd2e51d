keep;
keep;
keep;
keep;
redirect "bad address";
