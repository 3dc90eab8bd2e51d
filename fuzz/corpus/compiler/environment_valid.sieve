require "environment";
if environment :is "domain" "example.com" { keep; }
