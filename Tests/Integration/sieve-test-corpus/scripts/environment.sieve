require ["environment", "fileinto", "variables"];
if environment :matches "name" "*" { fileinto "n/${1}"; }
if environment :is "location" "MDA" { fileinto "mda"; }
