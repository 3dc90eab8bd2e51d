require ["fileinto", "variables", "foreverypart", "extracttext", "mime"];
foreverypart {
  if header :mime :type "content-type" "text" { extracttext :upper :first 5 "t"; fileinto "p-${t}"; break; }
}
