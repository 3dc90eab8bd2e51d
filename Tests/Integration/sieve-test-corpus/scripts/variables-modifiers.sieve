require ["variables", "fileinto"];
set :lower :upperfirst "a" "hELLO";
set :length "n" "${a}";
set :quotewildcard "q" "a*b?";
fileinto "${a}-${n}-${q}";
