require ["include", "fileinto"];
if header :contains "subject" "Invoice" {
    fileinto "Invoices";
    return;
}
if header :contains "subject" "WON" {
    discard;
    stop;
}
