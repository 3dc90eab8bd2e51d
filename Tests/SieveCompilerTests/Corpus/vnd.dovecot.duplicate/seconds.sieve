require "vnd.dovecot.duplicate";
if duplicate :seconds 10 { discard; }
