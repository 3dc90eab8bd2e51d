if false { redirect "not an address"; }
