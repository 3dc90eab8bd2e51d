require "virustest";
if virustest :percent "5" { discard; }
