require ["foreverypart", "mime", "fileinto", "variables"];
foreverypart { if header :mime :type :is "content-type" "application" { fileinto "has-attachment"; } }
