require "";
keep;
