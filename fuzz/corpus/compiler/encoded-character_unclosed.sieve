require "encoded-character";
if header :is "subject" "${hex:48" { keep; }
