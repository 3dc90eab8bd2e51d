require ["enotify", "variables"];
if header :matches "subject" "*" { notify :importance "1" :message "New: ${1}" "mailto:bob@example.com?cc=boss@example.com"; }
