#
keep;
