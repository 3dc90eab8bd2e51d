if true { if true { } }
