# RFC 5490 section 3
require ["fileinto", "mailbox"];
if mailboxexists "Existing" {
    fileinto "Existing";
}
if mailboxexists "Missing" {
    fileinto "Missing";
}
fileinto :create "Created";
