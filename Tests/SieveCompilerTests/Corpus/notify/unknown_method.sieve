require "notify";
notify :method "xmpp" :options "a@example.com";
