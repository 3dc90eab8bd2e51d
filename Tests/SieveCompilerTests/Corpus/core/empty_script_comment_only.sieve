# nothing to do here
