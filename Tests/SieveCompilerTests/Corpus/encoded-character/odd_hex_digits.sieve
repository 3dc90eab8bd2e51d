require "encoded-character";
if header :is "subject" "${hex:486}" { keep; }
