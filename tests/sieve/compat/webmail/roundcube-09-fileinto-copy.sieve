require ["fileinto","copy"];
# rule:[archive invoices]
if header :contains "subject" "Invoice"
{
	fileinto :copy "Archive/Invoices";
}
