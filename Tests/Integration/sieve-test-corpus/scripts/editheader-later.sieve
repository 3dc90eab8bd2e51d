require ["editheader", "fileinto", "variables", "index", "relational"];
addheader "X-Order" "first";
addheader :last "X-Order" "last";
if header :index 1 :is "x-order" "first" { fileinto "index-first"; }
if header :index 1 :last :is "x-order" "last" { fileinto "index-last"; }
addheader "Reply-To" "Carol <carol@example.net>";
if address :domain "reply-to" "example.net" { fileinto "address-sees-added"; }
deleteheader :index 1 "x-order";
if header :count "eq" "x-order" "1" { fileinto "one-left"; }
deleteheader :matches "subject" "*meeting*";
if not exists "subject" { fileinto "subject-deleted"; }
if header :matches "x-order" "*" { addheader "X-Copy" "${1}"; }
if header :is "x-copy" "last" { fileinto "copy-of-last"; }
