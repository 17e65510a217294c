require ["variables", "fileinto", "regex"];
if address :regex "from" "^([a-z]+)@([a-z.]+)$" {
    fileinto "by-domain.${2}";
}
if header :regex "subject" "Invoice ([0-9]+)-([0-9]+)" {
    fileinto "invoice.${1}.${2}";
}
