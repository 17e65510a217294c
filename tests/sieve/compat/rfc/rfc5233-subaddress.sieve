require ["envelope", "subaddress", "fileinto"];
if envelope :detail "to" "invoices" {
    fileinto "inv";
}
if address :user "to" "u" {
    fileinto "user-u";
}
