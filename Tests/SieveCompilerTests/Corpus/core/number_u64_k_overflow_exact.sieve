if size :over 18446744073709551615K { keep; }
