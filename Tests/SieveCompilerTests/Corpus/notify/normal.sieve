require "notify";
notify :normal :method "mailto" :options ["a@example.com", "b@example.com"];
