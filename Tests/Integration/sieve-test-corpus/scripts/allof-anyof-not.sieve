require "fileinto";
if allof (exists "from", not header :contains "subject" "spam") { fileinto "clean"; }
if anyof (false, header :contains "from" "example.com") { fileinto "dotcom"; }
if not true { discard; }
