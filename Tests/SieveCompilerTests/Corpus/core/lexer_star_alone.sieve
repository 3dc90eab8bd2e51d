keep; *
