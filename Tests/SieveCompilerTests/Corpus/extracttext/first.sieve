require ["foreverypart", "variables", "extracttext"];
foreverypart { extracttext :first 100 "text"; }
