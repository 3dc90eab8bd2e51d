if true {
  keep;
}
elsif frob "a" {
  keep;
}
