if header :is "subject" "â‚" { keep; }
