# comment
keep;
frobnicate;
