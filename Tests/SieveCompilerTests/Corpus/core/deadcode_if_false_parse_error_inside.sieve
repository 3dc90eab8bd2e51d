if false { keep "x" }
