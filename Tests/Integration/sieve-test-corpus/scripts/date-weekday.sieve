require ["date", "fileinto", "variables"];
if date :originalzone :matches "date" "weekday" "*" { fileinto "wd${1}"; }
if date :originalzone :matches "date" "julian" "*" { fileinto "j${1}"; }
if date :originalzone :matches "date" "zone" "*" { fileinto "z${1}"; }
