require ["variables", "include"];
set "global.x" "y";
set "a" "${global.x}";
