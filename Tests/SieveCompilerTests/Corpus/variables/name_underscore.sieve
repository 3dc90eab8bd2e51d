require "variables";
set "_under_score_1" "x";
