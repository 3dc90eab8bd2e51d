require "fileinto";
if header :contains "subject" "a" { keep; } elsif true { fileinto "b"; }
