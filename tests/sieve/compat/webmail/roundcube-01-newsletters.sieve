require ["fileinto"];
# rule:[Newsletters]
if header :contains "list-id" "acme-users"
{
	fileinto "Newsletters";
	stop;
}
