require "duplicate";
if duplicate :seconds 3600 :header "message-id" :handle "h" :last { discard; }
