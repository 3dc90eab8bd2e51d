require "fileinto";
fileinto "Entw&APw-rfe";
