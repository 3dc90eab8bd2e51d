require "encoded-character";
if header :is "subject" "${base64:QQ==}" { keep; }
