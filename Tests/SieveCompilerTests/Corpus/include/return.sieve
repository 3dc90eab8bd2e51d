require "include";
return;
