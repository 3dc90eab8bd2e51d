require "encoded-character";
if header :is "subject" "${hex:}" { keep; }
