require ["date", "fileinto", "variables", "index"];
if date :zone "+0000" :matches "received" "date" "*" { fileinto "r${1}"; }
if date :index 2 :zone "+0000" :matches "received" "std11" "*" { fileinto "second ${1}"; }
