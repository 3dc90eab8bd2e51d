require "reject";
if header :contains "subject" "spam" { reject "No spam please."; }
