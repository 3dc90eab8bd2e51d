require "notify";
notify "mailto:a@example.com";
