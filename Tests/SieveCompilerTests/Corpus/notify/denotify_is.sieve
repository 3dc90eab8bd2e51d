require "notify";
denotify :is "id1" :high;
