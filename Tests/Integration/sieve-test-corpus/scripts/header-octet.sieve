require "fileinto";
if header :is :comparator "i;octet" "subject" "meeting tomorrow" { fileinto "octet"; }
if header :is "subject" "meeting tomorrow" { fileinto "casemap"; }
