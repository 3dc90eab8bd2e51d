require ["fileinto", "variables"];
if header :matches "to" "*" { fileinto "to/${1}"; }
if header :matches "subject" "*" { fileinto "subj/${1}"; }
