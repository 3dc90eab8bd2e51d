require "foreverypart";
foreverypart :name "" { break :name ""; }
