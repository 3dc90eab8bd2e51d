require "encoded-character";
if header :is "subject" "${hex:41	42}" { keep; }
