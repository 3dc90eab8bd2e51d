require "relational";
if header :value "ne" ["x", "y"] ["1", "2"] { keep; }
