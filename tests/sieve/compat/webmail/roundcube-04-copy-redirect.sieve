require ["copy"];
# rule:[forward copy]
if true
{
	redirect :copy "backup@else.example";
}
