require ["editheader", "encoded-character"];
addheader "X-A" "a${hex:00}b";
