if header :is :is :is :is :is :is :is :is :is :is :is :is :is :is :is :is :is :is :is :is :is :is :is :is :is :is :is :is :is :is :is :is :is "a" "b" { keep; }
