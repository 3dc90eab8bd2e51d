if exists "a" { keep; } else { discard "x"; }
