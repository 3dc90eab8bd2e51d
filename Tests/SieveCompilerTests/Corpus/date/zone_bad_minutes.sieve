require "date";
if date :zone "+0199" "date" "hour" "12" { keep; }
