require ["foreverypart", "variables", "extracttext"];
foreverypart { extracttext "a-b"; }
