if false {
  reject text:
  hi
.
;
}
