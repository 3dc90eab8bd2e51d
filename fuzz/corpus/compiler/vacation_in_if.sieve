require "vacation";
if header :contains "subject" "urgent" { vacation "away"; }
