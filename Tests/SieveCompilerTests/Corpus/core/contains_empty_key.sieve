if header :contains "subject" "" { keep; }
