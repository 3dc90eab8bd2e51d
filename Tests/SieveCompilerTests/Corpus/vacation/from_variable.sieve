require ["vacation", "variables"];
set "f" "bad address";
vacation :from "${f}" "away";
