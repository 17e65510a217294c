# RFC 3894 section 4
require ["copy", "fileinto"];
if header :contains "subject" "Invoice" {
    fileinto :copy "Invoices";
}
redirect :copy "audit@else.example";
