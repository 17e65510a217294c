require ["reject"];
# rule:[too large]
if size :over 10M
{
	reject "Message too large";
	stop;
}
