*/
keep;
