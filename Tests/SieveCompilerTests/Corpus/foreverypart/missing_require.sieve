foreverypart { keep; }
