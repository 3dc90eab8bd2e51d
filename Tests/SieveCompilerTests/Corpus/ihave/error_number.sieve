require "ihave";
error 1;
