require ["imap4flags", "fileinto"];
if header :contains "from" "friends.example" {
    setflag "\\Flagged";
    fileinto "flagged";
}
addflag "\\Seen";
keep;
