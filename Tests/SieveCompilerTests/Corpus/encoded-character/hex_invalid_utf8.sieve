require "encoded-character";
if header :is "subject" "${hex:C0 AF}" { keep; }
