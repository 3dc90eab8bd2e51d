require ["index", "date"];
if date :index 0 "received" "year" "2024" { keep; }
