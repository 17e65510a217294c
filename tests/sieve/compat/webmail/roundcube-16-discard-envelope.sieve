require ["envelope"];
# rule:[drop prize]
if envelope :domain :is "from" "prize.example"
{
	discard;
	stop;
}
