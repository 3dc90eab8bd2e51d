if currentdate "year" "2024" { keep; }
