require "relational";
if anyof (header :value "gt" "x" "1", header :value "ge" "x" "1", header :value "lt" "x" "1",
          header :value "le" "x" "1", header :value "eq" "x" "1", header :value "ne" "x" "1") { keep; }
