require "variables";
if string :contains ["${a}", "b"] ["x", "y"] { keep; }
