require "include";
include :personal :global "lib_a";
