require ["imap4flags","fileinto"];
if allof (header :contains "from" "friends.example") {
    addflag "\\Flagged";
    fileinto "INBOX/Friends";
}
