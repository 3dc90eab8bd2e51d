keep; # trailing comment
