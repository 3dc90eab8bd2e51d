# /* not a bracket comment
keep;
