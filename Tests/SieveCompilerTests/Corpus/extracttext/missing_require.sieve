require ["foreverypart", "variables"];
foreverypart { extracttext "text"; }
