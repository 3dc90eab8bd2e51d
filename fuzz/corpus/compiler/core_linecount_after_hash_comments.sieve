# 1
# 2
# 3
keep "x";
