keep "x";
if true { keep; 
