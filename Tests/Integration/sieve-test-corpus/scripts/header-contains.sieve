require "fileinto";
if header :contains "subject" ["invoice", "report", "SPAM"] { fileinto "matched"; } else { fileinto "other"; }
