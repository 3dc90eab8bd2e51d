require "variables";
if header :matches "subject" "*" { set "s" "${0}"; }
