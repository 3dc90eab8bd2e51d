require "fileinto";
if exists ["list-id", "x-priority"] { fileinto "list"; } elsif exists "subject" { fileinto "subject"; } else { fileinto "nosubject"; }
