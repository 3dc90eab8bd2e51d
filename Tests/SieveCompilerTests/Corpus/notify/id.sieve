require "notify";
notify :id "x" :method "mailto" :options "a@example.com";
