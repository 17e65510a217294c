require ["vacation","date","relational"];
if allof ( currentdate :value "ge" "date" "2026-11-01", currentdate :value "le" "date" "2027-01-01" ) {
    vacation :days 7 :addresses ["u@d.example"] :subject "Away" "Away until January.";
}
