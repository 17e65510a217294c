# RFC 5435 section 9 / RFC 5436 style
require ["enotify", "fileinto", "variables"];
if header :contains "from" "boss@example.com" {
    notify :importance "1" :message "This is probably very important"
           "mailto:u-pager@d.example";
    stop;
}
if header :matches "Subject" "*Invoice*" {
    notify :from "u@d.example" :message "Invoice: ${2}"
           "mailto:accounts@d.example?subject=invoice%20arrived";
}
if valid_notify_method "mailto:x@d.example" {
    fileinto "valid";
}
if not valid_notify_method "xmpp:x@d.example" {
    fileinto "xmpp-invalid";
}
if notify_method_capability "mailto:x@d.example" "online" ["maybe"] {
    fileinto "online-maybe";
}
