require "vnd.dovecot.filter";
filter "x" ["a", "b"];
