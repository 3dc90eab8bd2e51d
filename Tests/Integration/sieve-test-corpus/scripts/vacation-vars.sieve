require ["vacation", "variables"];
if header :matches "subject" "*" { vacation :days 14 :subject "Re: ${1}" "Got your message about ${1}."; }
