if envelope "from" "a@b" { keep; }
