require ["mime", "foreverypart", "fileinto"];
foreverypart {
  if header :mime :param "filename" :matches "content-disposition" "*.exe" { fileinto "Quarantine"; break; }
}
