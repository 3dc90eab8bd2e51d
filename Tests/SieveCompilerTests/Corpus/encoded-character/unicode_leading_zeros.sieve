require "encoded-character";
if header :is "subject" "${unicode:0000000041}" { keep; }
