# corpus-extensions: default
require "vnd.dovecot.duplicate";
if duplicate { discard; }
