keep { } ;
