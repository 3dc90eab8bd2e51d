keep;
discard;
