require ["date", "fileinto", "variables"];
if date :matches "date" "year" "*" { fileinto "y${1}"; }
if date :originalzone :matches "date" "time" "*" { fileinto "t${1}"; }
if date :zone "+0000" :matches "date" "iso8601" "*" { fileinto "i${1}"; }
