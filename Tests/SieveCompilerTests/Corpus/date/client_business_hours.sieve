require ["date", "relational", "vacation"];
if anyof (currentdate :value "lt" "hour" "08", currentdate :value "ge" "hour" "18",
          currentdate :is "weekday" ["0", "6"]) {
    vacation :days 1 "Our office is closed; we will answer during business hours.";
}
