# RFC 6131 section 3
require ["vacation-seconds"];
vacation :addresses ["u@d.example"] :seconds 1800
  "I am in a meeting, and do not have access to email.";
