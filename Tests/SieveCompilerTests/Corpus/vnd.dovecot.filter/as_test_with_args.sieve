require "vnd.dovecot.filter";
if filter "x" ["a"] { keep; }
