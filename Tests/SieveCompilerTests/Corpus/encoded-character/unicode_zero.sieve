require "encoded-character";
if header :is "subject" "${unicode:0}" { keep; }
