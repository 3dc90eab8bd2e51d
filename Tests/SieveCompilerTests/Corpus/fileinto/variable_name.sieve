require ["fileinto", "variables"];
if header :matches "list-id" "*<*.*>*" { fileinto "Lists/${2}"; }
