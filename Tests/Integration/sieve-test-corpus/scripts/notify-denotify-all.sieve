require ["notify"];
notify :options "a@example.com" :id "x";
notify :high :options "b@example.com";
denotify;
notify :options "c@example.com";
