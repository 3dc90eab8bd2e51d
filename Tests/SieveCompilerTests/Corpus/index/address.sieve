require "index";
if address :index 1 :all "from" "a@b" { keep; }
