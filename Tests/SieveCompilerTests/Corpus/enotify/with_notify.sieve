require ["enotify", "notify"];
keep;
