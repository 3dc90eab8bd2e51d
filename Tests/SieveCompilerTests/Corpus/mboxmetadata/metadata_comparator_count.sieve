require ["mboxmetadata", "relational", "comparator-i;ascii-numeric"];
if metadata :count "ge" :comparator "i;ascii-numeric" "INBOX" "/private/x" "1" { keep; }
