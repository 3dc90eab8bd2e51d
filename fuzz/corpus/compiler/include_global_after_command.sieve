require ["include", "variables"];
keep;
global "x";
