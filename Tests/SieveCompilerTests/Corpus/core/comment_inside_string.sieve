if header :is "subject" "/* not a comment */" { keep; }
