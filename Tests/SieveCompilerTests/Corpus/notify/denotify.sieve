require "notify";
denotify;
