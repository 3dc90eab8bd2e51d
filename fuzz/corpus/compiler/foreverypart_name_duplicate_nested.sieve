require "foreverypart";
foreverypart :name "a" { foreverypart :name "a" { break :name "a"; } }
