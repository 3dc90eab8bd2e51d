require "duplicate";
if duplicate { discard; }
