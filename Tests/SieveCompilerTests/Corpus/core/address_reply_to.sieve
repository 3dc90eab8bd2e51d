if address :is ["reply-to", "return-path", "delivered-to", "errors-to"] "a@b" { keep; }
