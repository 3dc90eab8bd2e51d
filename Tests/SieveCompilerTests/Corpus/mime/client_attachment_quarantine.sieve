require ["foreverypart", "mime", "fileinto", "variables", "extracttext"];
foreverypart {
    if header :mime :param "filename" :matches ["content-type", "content-disposition"] ["*.exe", "*.scr", "*.js"] {
        fileinto "Quarantine";
        break;
    }
    if header :mime :type "content-type" "text" {
        extracttext :first 200 "preview";
    }
}
