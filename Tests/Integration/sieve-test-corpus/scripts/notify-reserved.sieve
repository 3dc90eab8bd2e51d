require ["enotify", "variables"];
if header :matches "subject" "*" { set "s" "${1}"; }
notify "mailto:x@example.com?subject=First";
notify :importance "1" "mailto:y@example.com?body=b&from=evil@example.com&auto-submitted=no&received=z&sender=s&references=r&Reply-To=r@example.com";
