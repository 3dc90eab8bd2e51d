if true { ; }
