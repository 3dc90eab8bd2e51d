require ["foreverypart", "variables", "extracttext"];
foreverypart { extracttext :first "1" "text"; }
