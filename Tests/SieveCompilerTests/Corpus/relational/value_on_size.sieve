require "relational";
if size :value "gt" 1 { keep; }
