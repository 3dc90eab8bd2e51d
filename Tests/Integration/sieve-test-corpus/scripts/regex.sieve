require ["fileinto", "regex", "variables"];
if header :regex "subject" "^(Fwd|Re): *(.*)$" { fileinto "re/${1}/${2}"; }
elsif header :regex "subject" "[0-9]+" { fileinto "digits"; }
