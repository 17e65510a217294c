require ["spamtest","relational","comparator-i;ascii-numeric","fileinto"];
# rule:[spam score]
if spamtest :value "ge" :comparator "i;ascii-numeric" "5"
{
	fileinto "Junk";
	stop;
}
