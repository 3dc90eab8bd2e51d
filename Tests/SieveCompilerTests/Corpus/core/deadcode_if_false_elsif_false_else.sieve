if false { keep "a"; } elsif false { keep "b"; } else { keep "c"; }
