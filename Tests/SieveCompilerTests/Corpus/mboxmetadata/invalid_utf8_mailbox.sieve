require "mboxmetadata";
if metadataexists "cafÿ" "/private/comment" { keep; }
