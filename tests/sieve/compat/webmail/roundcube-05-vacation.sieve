require ["vacation"];
# rule:[Out of office]
if true
{
	vacation :days 7 :subject "Out of office" :addresses ["u@d.example"] "I am away until Monday.";
}
