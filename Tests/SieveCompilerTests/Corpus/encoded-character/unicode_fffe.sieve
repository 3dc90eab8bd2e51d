require "encoded-character";
if header :is "subject" "${unicode:FFFE}" { keep; }
