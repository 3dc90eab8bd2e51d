if header :abcdefghijabcdefghijabcdefghijabc "a" "b" { keep; }
