require "environment";
if environment "DOMAIN" "x" { keep; }
