require "environment";
if environment "domain" { keep; }
