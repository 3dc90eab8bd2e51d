require "notify";
notify :options "a@example.com";
