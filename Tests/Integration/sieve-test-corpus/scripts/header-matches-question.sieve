require ["fileinto", "variables"];
if header :matches "subject" "?????*" { fileinto "q-${1}${2}${3}${4}${5}-${6}"; }
