require "foreverypart";
foreverypart :name "outer" { foreverypart { break :name "outer"; } }
