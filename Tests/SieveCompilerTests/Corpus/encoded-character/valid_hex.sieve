require "encoded-character";
if header :is "subject" "${hex:48 65 6C 6C 6F}" { keep; }
