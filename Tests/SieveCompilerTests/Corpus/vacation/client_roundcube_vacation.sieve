require ["vacation","date","relational"];
# rule:[Out of office]
if allof (currentdate :zone "+0100" :value "ge" "iso8601" "2024-07-01T00:00:00+01:00", currentdate :zone "+0100" :value "le" "iso8601" "2024-07-15T23:59:59+01:00")
{
	vacation :days 1 :subject "Out of office" :addresses ["me@example.com","alias@example.com"] :from "Me <me@example.com>" "I am on holiday until 15 July.";
}
