require "include";
include ".hidden";
