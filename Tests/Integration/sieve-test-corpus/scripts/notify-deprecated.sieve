require ["notify"];
notify :options ["a@example.com", "b@example.org"] :id "first" :message "From: $from$ ($env-from$) about $subject$";
notify :low :options "c@example.net" :id "second";
notify :normal :options "d@example.net";
notify :options "e@example.net" :id "third" :message "$text[5]$|$unknown$|$";
denotify :matches "sec*" :low;
