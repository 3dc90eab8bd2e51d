if header :matches "subject" "*money*" { discard; }
