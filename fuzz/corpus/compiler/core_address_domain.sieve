if address :domain :is ["from", "to", "cc", "bcc", "sender", "resent-from", "resent-to"] "example.com" { keep; }
