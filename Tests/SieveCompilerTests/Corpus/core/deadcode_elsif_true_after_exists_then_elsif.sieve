if exists "a" { keep; } elsif true { keep; } elsif frob { keep; }
