require "subaddress";
if address :detail :is "to" "" { keep; }
