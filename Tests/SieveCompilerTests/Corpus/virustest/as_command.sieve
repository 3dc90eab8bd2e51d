require "virustest";
virustest "1";
