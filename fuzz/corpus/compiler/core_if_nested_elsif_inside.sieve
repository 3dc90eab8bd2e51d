if true {
  if false { keep; } elsif true { discard; }
} elsif false {
  stop;
}
