require ["imap4flags", "variables", "environment", "date"];
if allof (hasflag :comparator "i;octet" :is "a",
          string :comparator "i;octet" :matches "a" "b",
          environment :comparator "i;octet" "domain" "x",
          currentdate :comparator "i;octet" "year" "1") { keep; }
