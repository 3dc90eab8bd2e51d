require ["duplicate", "fileinto", "variables"];
if duplicate { fileinto "dup-message-id"; }
if duplicate :header "subject" :seconds 3600 { fileinto "dup-subject"; }
if header :matches "from" "*" { set "sender" "${1}"; }
if not duplicate :uniqueid "${sender}" :handle "per-sender" :last { fileinto "first-from-sender"; }
