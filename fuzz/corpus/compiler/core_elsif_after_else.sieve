if true { keep; } else { keep; } elsif false { discard; }
