require ["fileinto","reject","envelope","vacation","imap4flags","copy"];
if anyof (header :contains "subject" "invoice") {
    fileinto "INBOX/Invoices";
    stop;
}
if anyof (address :contains "from" "lists.example") {
    fileinto "INBOX/Lists";
}
