# RFC 5229 section 4 / 5
require ["variables", "fileinto"];
set "honorific"  "Mr";
set "first_name" "Joe";
set "last_name"  "Doe";
set "vacation" text:
Dear ${HONORIFIC} ${last_name},
I am out, please leave a message after the meep.
.
;
set :lower :upperfirst "b" "JUMBLED";
set :length "len" "${vacation}";
if string :is "${b}" "Jumbled" {
    fileinto "mod-${b}";
}
if string :matches "${first_name}" "J*" {
    fileinto "first-${1}";
}
