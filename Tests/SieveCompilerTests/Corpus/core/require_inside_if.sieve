if true {
  require "fileinto";
  fileinto "x";
}
