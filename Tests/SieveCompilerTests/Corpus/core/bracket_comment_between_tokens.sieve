if /* c */ header /* c */ :is /* c */ "subject" /* c */ "a" /* c */ { keep; }
