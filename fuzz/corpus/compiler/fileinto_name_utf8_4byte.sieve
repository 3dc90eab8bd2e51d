require "fileinto";
fileinto "Emoji 😀";
