if exists "a" {
  if false {
    keep "x";
  }
}
