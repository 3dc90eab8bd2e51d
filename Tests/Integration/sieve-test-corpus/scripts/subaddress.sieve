require ["fileinto", "subaddress", "envelope", "variables"];
if envelope :detail :matches "to" "*" { fileinto "detail/${1}"; }
if address :user "to" "bob" { fileinto "user"; }
if address :detail "to" "work" { fileinto "work"; }
