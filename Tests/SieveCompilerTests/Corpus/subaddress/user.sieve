require "subaddress";
if address :user "to" "ken" { keep; }
