require ["editheader", "variables", "fileinto"];
addheader :last "X-A" "last";
addheader "X-A" "first";
if header :matches "x-a" "*" { fileinto "first-${1}"; }
