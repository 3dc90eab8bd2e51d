require "fileinto";
fileinto text:
Junk
.
;
