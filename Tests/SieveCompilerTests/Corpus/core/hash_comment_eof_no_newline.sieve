keep;
# comment at eof without newline