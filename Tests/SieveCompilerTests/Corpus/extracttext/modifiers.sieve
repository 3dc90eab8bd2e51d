require ["foreverypart", "variables", "extracttext"];
foreverypart { extracttext :lower :length "text"; }
