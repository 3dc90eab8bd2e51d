keep { stop; }
