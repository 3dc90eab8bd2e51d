require ["body", "fileinto"];
if body :contains "café" { fileinto "cafe"; }
