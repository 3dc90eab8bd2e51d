require ["fileinto", "variables"];
if header :matches "x-mailer" "*" { fileinto "m/${1}"; }
