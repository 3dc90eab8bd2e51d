require ["fileinto", "variables"];
if header :matches "subject" "*e*" { fileinto "x.${1}.${2}"; }
