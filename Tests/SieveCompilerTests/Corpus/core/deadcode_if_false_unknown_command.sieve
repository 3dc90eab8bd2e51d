if false { frobnicate; }
