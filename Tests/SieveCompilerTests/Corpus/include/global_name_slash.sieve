require "include";
include :global "a/b";
