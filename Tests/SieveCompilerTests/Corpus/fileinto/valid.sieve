require "fileinto";
fileinto "INBOX.Junk";
