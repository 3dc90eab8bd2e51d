if address :domain :matches "to" "*.example.com" { keep; }
