if size :over 18446744073709551616 { keep; }
