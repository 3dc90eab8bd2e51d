require "environment";
if environment ["domain", "host"] "x" { keep; }
