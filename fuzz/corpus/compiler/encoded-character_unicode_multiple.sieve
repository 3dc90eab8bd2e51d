require "encoded-character";
if header :is "subject" "${unicode:48 65 6c 6c 6f}" { keep; }
