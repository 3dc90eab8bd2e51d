require ["index", "fileinto", "variables"];
if header :index 2 :matches "x-multi" "*" { fileinto "second-${1}"; }
if header :index 1 :last :matches "x-multi" "*" { fileinto "last-${1}"; }
