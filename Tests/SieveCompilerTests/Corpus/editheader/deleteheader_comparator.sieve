require "editheader";
deleteheader :comparator "i;octet" :contains "X-Spam-Status" "Yes";
