require ["fileinto", "variables"];
if address :all :matches "cc" "*" { fileinto "cc/${1}"; }
if address :all :matches "to" "*" { fileinto "to/${1}"; }
if address :all :matches "bcc" "*" { fileinto "bcc/${1}"; }
