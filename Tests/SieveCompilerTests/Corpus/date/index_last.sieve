require ["date", "index"];
if date :index 1 :last "received" "year" "2024" { keep; }
