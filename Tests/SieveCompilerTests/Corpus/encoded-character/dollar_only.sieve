require "encoded-character";
if header :is "subject" "${" { keep; }
