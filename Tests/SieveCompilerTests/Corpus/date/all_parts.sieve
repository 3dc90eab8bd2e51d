require "date";
if anyof (currentdate "year" "x", currentdate "month" "x", currentdate "day" "x", currentdate "date" "x",
          currentdate "julian" "x", currentdate "hour" "x", currentdate "minute" "x", currentdate "second" "x",
          currentdate "time" "x", currentdate "iso8601" "x", currentdate "std11" "x", currentdate "zone" "x",
          currentdate "weekday" "x") { keep; }
