require "regex";
if header :regex "subject" ["ok", "(bad"] { keep; }
