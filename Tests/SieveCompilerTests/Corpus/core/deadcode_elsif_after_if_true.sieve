if true { keep; } elsif frob "a" { frob; }
