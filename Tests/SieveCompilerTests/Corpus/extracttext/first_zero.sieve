require ["foreverypart", "variables", "extracttext"];
foreverypart { extracttext :first 0 "text"; }
