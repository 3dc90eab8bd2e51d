if header :is "subject" "a" {
  keep;
} elsif header :is "subject" "b" {
  discard;
} else {
  stop;
}
