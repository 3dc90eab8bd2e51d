require "regex";
if header :regex "subject" "{abc}" { keep; }
