require "include";
include :optional "does_not_exist";
