require "imapflags";
if exists "list-id" { mark; addflag "$List"; }
if header :contains "from" "example.org" { addflag "$Org"; removeflag "$List"; }
