require "encoded-character";
if header :is "subject" "${hex:${hex:34}8}" { keep; }
