require "ihave";
error "something went wrong";
