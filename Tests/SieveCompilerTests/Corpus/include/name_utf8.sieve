require "include";
include "bibliothèque";
