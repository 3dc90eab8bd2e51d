require "regex";
if header :regex "from" "[[:alpha:]]+@[[:digit:]]+" { keep; }
