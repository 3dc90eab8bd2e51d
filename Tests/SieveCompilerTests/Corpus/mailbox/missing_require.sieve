require "fileinto";
if mailboxexists "Junk" { keep; }
