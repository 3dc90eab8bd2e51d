require ["regex", "variables"];
set :quoteregex "x" "a.b";
