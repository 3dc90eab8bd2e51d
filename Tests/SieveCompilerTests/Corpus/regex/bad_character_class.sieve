require "regex";
if header :regex "from" "[[:frob:]]" { keep; }
