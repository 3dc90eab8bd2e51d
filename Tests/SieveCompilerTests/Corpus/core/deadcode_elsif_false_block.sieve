if exists "a" { keep; } elsif false { keep "x"; }
