addheader "X-Filtered" "yes";
