require ["enotify", "variables"];
set "i" "9";
notify :importance "${i}" "mailto:a@example.com";
