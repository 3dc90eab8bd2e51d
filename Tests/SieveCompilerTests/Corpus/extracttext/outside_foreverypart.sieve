require ["foreverypart", "variables", "extracttext"];
extracttext "text";
