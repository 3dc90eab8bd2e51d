if anyof ( # comment
  true, # another
  false
) { keep; }
