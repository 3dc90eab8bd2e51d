require "foreverypart";
foreverypart { break "x"; }
