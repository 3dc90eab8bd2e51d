require "virustest";
if virustest 5 { discard; }
