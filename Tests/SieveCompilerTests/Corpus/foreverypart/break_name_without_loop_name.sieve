require "foreverypart";
foreverypart { break :name "a"; }
