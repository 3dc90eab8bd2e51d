keep /* here */ ;
