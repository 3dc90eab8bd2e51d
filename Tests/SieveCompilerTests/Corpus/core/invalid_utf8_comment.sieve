# café in latin-1
keep;
