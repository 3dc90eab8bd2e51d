require "special-use";
if specialuse_exists "INBOX" ["\\Junk", "\\Trash"] { keep; }
