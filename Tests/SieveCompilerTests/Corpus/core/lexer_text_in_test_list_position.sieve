if anyof (text:
x
.
) { keep; }
