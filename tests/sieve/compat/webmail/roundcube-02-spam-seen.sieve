require ["fileinto","imap4flags"];
# rule:[Spam]
if header :contains "x-spam-flag" "YES"
{
	addflag "\\Seen";
	fileinto "Junk";
	stop;
}
