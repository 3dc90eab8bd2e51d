require ["include", "variables"];
global "foo-bar";
