frob;
keep;
blah;
