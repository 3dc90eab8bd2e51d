keep;
if true {
  fileinto "Junk";
}
