# corpus-extensions: default
require "notify";
notify :method "mailto" :options "a@example.com";
