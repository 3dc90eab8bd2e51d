require "variables";
if header :matches "subject" "*: *" { set "tag" "${1}"; set "rest" "${2}"; }
