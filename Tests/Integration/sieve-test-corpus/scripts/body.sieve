require ["body", "fileinto"];
if body :contains "meeting" { fileinto "body-meeting"; }
if body :text :contains "42 €" { fileinto "euro"; }
if body :raw :contains "PGI+" { fileinto "raw-base64"; }
if body :content "text/html" :contains "<b>" { fileinto "html"; }
