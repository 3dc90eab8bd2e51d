require ["foreverypart", "variables", "extracttext"];
foreverypart { extracttext "text"; }
