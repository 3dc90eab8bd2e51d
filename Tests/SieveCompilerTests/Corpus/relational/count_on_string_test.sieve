require ["relational", "variables"];
if string :count "eq" ["a", "b"] "2" { keep; }
