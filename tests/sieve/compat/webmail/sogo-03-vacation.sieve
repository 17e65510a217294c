require ["vacation"];
vacation :days 7 :addresses ["u@d.example"] :subject "Out of office" text:
Out of the office until next week.
.
;
