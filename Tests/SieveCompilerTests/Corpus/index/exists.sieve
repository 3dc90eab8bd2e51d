require "index";
if exists :index 1 "from" { keep; }
