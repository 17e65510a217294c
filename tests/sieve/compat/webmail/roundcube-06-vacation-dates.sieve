require ["date","relational","vacation"];
# rule:[vacation]
if allof (currentdate :value "ge" "date" "2026-11-01", currentdate :value "le" "date" "2027-01-31")
{
	vacation :days 1 :subject "Away" :addresses ["u@d.example"] "I am away.";
}
