require "encoded-character";
if header :is "subject" "${HEX:48}${Unicode:41}" { keep; }
