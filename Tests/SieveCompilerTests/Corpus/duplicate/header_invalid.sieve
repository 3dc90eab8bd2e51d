require "duplicate";
if duplicate :header "bad header" { discard; }
