require "encoded-character";
if header :is "${hex:73 75 62 6a 65 63 74}" "a" { keep; }
