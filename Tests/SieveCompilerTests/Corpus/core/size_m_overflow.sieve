if size :over 17592186044416M { keep; }
