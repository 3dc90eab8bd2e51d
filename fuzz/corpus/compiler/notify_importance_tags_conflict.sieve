require "notify";
notify :low :high :method "mailto" :options "a@example.com";
