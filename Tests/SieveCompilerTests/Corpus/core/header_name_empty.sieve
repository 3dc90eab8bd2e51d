if header :is "" "a" { keep; }
