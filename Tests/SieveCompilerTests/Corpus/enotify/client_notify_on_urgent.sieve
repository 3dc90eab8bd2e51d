require ["enotify", "variables"];
if header :contains "subject" "URGENT" {
    if header :matches "from" "*" { set "sender" "${1}"; }
    set :encodeurl "body" "Urgent mail from ${sender}";
    notify :importance "1" :message "Urgent: ${sender}" "mailto:oncall@example.com?body=${body}";
}
