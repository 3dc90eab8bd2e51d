require "notify";
notify :method "mailto" :options "a@example.com" :low :message "New mail";
