require "fileinto";
keep;
fileinto "INBOX";
fileinto "inbox";
