require "mime";
foreverypart { keep; }
