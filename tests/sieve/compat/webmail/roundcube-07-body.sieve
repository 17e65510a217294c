require ["body","fileinto"];
# rule:[unsubscribe links]
if body :text :contains "unsubscribe"
{
	fileinto "Bulk";
}
