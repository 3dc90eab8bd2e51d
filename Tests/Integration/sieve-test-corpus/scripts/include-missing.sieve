require "include";
include :optional "does-not-exist";
include "also-missing";
