if exists "bad name" { keep; }
keep "x";
