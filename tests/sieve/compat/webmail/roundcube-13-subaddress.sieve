require ["envelope","subaddress","fileinto","variables"];
# rule:[plus addressing]
if envelope :detail :matches "to" "*"
{
	set :lower "detail" "${1}";
	fileinto "Plus/${detail}";
}
