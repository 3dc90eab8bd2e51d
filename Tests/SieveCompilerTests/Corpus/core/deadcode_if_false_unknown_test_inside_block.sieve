if false { if frob { keep; } }
