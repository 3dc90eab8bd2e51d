report "abuse" "spam" "abuse@example.com";
