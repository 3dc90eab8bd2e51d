require "vnd.dovecot.pipe";
pipe "sa-learn" ["--spam", "--no-sync"];
