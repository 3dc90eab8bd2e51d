if true :x { keep; }
