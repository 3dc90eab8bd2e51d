foo;
bar;
foo;
