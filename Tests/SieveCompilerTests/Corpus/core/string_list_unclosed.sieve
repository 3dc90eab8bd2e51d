if header :is ["subject", "from" "a" { keep; }
