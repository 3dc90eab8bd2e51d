/* a
   multi-line
   comment */
keep;
