# corpus-extensions: default
require "vnd.dovecot.imapsieve";
keep;
