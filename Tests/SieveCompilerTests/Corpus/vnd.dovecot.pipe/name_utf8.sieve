require "vnd.dovecot.pipe";
pipe "programmé";
