if false { keep :abcdefghijabcdefghijabcdefghijabc; }
