if header :mime :type "content-type" "text" { keep; }
