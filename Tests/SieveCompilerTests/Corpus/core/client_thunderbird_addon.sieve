require ["fileinto", "copy", "regex", "body"];

# Sort by project code in subject
if header :regex "subject" "\\[PRJ-[0-9]+\\]" {
  fileinto :copy "Projects";
}

if body :text :contains ["invoice", "payment due"] {
  fileinto "Finance";
}
