require ["duplicate","fileinto"];
# rule:[duplicates]
if duplicate
{
	fileinto "Duplicates";
	stop;
}
