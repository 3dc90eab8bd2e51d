discard :copy;
