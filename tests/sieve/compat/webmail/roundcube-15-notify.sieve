require ["enotify"];
# rule:[notify me]
if header :contains "from" "alice@friends.example"
{
	notify :message "Mail from Alice" "mailto:u-pager@d.example";
}
