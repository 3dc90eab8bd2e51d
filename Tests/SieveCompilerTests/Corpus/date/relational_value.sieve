require ["date", "relational"];
if currentdate :value "ge" "date" "2024-01-01" { keep; }
