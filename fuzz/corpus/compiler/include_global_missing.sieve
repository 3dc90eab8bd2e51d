require "include";
include :global "nonexistent";
