require "notify";
notify :method "mailto" :options "not an address";
