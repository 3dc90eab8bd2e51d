require ["vacation", "variables", "envelope"];
if envelope :matches "to" "*@example.com" {
    set "me" "${1}";
}
if not header :contains "list-id" "" {
    vacation :days 3 :subject "Away: ${me}" :addresses ["me@example.com"]
        "I'm away until next week.";
}
