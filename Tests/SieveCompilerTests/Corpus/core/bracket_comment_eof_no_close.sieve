keep;
/* unterminated at eof