require "encoded-character";
if header :is "subject" "${unicode:1F600}" { keep; }
