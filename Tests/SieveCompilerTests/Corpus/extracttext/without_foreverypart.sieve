require ["variables", "extracttext"];
keep;
