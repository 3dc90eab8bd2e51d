denotify;
