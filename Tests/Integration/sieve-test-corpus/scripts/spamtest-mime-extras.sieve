require ["spamtest", "virustest", "relational", "comparator-i;ascii-numeric", "fileinto", "variables",
         "foreverypart", "extracttext", "mime", "enotify", "special-use"];
if spamtest :value "eq" :comparator "i;ascii-numeric" "0" { fileinto "spam0"; }
if virustest :value "gt" :comparator "i;ascii-numeric" "0" { fileinto "virus"; }
foreverypart {
  if header :mime :subtype "content-type" "plain" { extracttext :first 10 "t"; fileinto "x-${t}"; }
}
if notify_method_capability "mailto:a@b.c" "online" "maybe" { fileinto "cap-maybe"; }
if specialuse_exists "\\Junk" { fileinto "junk-exists"; }
