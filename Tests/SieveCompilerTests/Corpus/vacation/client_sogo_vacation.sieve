require ["vacation"];
vacation :days 7 :addresses ["user@example.com"] :subject "Away" text:
I am away.

Regards,
User
.
;
