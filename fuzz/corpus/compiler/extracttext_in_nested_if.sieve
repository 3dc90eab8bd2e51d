require ["foreverypart", "variables", "extracttext"];
foreverypart { if true { extracttext "t"; } }
