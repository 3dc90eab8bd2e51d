if address :is ["from", "subject"] "a" { keep; }
