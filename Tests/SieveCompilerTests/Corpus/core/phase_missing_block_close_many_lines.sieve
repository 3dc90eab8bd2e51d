if true {
  keep;
  discard;
  stop;
