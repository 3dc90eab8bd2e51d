require ["ihave", "fileinto"];
if ihave "vacation" { fileinto "has-vacation"; }
if ihave "x-nothing" { fileinto "has-nothing"; }
