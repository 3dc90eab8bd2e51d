if size :over 10T { keep; }
