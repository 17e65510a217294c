require ["editheader"];
# rule:[tag]
if header :contains "subject" "Invoice"
{
	addheader "X-Tagged" "invoice";
}
