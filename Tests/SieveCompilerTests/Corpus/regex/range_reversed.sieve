require "regex";
if header :regex "subject" "[z-a]" { keep; }
