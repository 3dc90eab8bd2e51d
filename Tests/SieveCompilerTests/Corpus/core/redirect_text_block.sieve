redirect text:
a@example.com
.
;
