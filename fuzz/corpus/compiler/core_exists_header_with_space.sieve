if exists "x header" { keep; }
