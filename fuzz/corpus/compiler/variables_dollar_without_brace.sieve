require "variables";
set "a" "$b $ {b} $";
