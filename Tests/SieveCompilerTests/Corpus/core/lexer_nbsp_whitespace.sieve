keep; stop;
