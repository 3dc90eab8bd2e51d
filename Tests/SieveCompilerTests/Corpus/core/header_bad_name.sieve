if header :is "sub ject" "a" { keep; }
