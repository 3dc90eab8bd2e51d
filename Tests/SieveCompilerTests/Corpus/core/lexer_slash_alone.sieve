keep; /
