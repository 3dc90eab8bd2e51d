require "encoded-character";
if header :is "subject" "${hex: 4A 4B }" { keep; }
