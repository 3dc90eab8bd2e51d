keep "x";
fileinto "y";
if true {
  keep
}
