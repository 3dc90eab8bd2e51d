require ["environment", "variables"];
if environment :matches "phase" "*" { set "p" "${1}"; }
