if size :over 0x10 { keep; }
