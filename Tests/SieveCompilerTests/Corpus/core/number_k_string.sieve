if header :is "subject" 1K { keep; }
