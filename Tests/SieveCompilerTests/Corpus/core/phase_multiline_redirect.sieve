redirect
  "bad address";
