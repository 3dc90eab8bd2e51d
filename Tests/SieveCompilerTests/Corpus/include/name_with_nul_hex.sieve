require ["include", "encoded-character"];
include "lib${hex:00}a";
