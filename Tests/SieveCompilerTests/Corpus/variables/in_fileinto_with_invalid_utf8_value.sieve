require ["variables", "fileinto", "encoded-character"];
set "f" "${hex:E9}";
fileinto "${f}";
