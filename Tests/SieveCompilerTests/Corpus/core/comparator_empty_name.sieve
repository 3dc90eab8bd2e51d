if header :comparator "" "subject" "a" { keep; }
