require ["fileinto", "variables"];
if header :matches "subject" "*" { fileinto "s/${1}"; }
if header :matches "from" "*" { fileinto "f/${1}"; }
