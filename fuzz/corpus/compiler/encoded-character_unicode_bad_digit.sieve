require "encoded-character";
if header :is "subject" "${unicode:12G}" { keep; }
