if false { keep; } elsif header "x" { keep; }
