require ["vacation", "variables"];
set "h" "x";
vacation :handle "${h}" "away";
