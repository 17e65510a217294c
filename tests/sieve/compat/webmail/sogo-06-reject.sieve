require ["reject"];
if anyof (header :contains "subject" "WON") {
    reject "No thanks.";
}
