require "body";
if body :content ["text", "multipart/mixed", "application/pdf"] :is "" { keep; }
