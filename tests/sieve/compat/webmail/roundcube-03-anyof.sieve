require ["fileinto"];
# rule:[Shops]
if anyof (header :contains "from" "shop.example", header :contains "subject" "Invoice")
{
	fileinto "Receipts";
}
# rule:[Friends]
if allof (address :domain :is "from" "friends.example", not header :contains "subject" "spam")
{
	fileinto "Friends";
	stop;
}
