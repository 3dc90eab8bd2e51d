require "include";
include :optional :once "nonexistent";
