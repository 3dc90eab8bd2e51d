require ["foreverypart", "variables", "extracttext"];
foreverypart { extracttext "1"; }
