require "include";
include :global :optional "nonexistent";
