require ["envelope"];
if envelope :detail "Ho" "tag" { keep; }
redirect "xEEEE";
