require ["include"];
include :global "glob_a";
keep;
