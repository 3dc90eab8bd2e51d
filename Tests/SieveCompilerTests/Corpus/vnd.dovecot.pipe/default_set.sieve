# corpus-extensions: default
require "vnd.dovecot.pipe";
pipe "x";
