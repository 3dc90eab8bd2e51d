if exists "a" { keep; } elsif true { keep; } else { keep "x"; }
