require ["variables", "relational"];
if string :count "eq" "${a}" "1" { keep; }
