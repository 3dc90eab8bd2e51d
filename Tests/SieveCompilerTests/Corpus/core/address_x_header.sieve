if address :is "x-original-from" "a@b" { keep; }
