require ["fileinto","mailbox"];
# rule:[lists]
if exists "list-id"
{
	fileinto :create "Lists";
	stop;
}
